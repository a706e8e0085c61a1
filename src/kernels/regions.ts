// Kernel family: regions. See README "Adding a kernel".
export {};
