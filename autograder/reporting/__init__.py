"""What the class got wrong: a report for instructors, and grade files a gradebook imports.

classdata reads a batch's output folder, anonymise hides who is who, stats counts, figures
draws, page renders the HTML, report ties them together; roster and gradebook write the
imports for Canvas, Moodle or a plain CSV.
"""
