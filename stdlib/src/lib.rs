//! The core mcl function modules (`fmt`, `strings`, `iter`, ...). Built by the compile-pipeline work; empty until then.
