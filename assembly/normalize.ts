// Kernel family: normalize. See README "Adding a kernel".
