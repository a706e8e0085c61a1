// Kernel family: color. See README "Adding a kernel".
export {};
