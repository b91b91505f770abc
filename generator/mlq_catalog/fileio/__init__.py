"""Reading and writing files safely: bounded reads, atomic writes that leave unchanged files alone."""
