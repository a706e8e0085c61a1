// Kernel family: resize. See README "Adding a kernel".
