"""nbgrader: autograde in the sandbox (no kernel), inert markup, confined kernels, and a course folder driven by it."""
