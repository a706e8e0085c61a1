// Kernel family: watershed. See README "Adding a kernel".
export {};
