// Kernel family: metrics. See README "Adding a kernel".
