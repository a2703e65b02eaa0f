"""Output formats. Each module turns the compiled graph into files."""
