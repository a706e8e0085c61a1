// Kernel family: distance. See README "Adding a kernel".
export {};
