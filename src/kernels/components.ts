// Kernel family: components. See README "Adding a kernel".
export {};
