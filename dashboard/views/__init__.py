"""HTML pages. Views are thin: validate parameters, call a selector, render."""
