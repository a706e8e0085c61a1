// Kernel family: edges. See README "Adding a kernel".
export {};
