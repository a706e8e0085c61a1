// Kernel family: morphology. See README "Adding a kernel".
export {};
