// Kernel family: contours. See README "Adding a kernel".
export {};
