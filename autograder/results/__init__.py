"""What grading one submission gives (`model`), its causes, and the files that carry it.

    model         GradingResult, TestResult, LoadProblem
    causes        `Cause`: the stable codes of what a failed check found
    cells         which graded cell of the notebook a check belongs to
    results_json  Gradescope's results.json: the one writer, and the one reader everything else uses
    junit         JUnit XML
    grades_csv    a class's grades.csv
    summary       the lines `autograder grade` prints, points per graded cell
    outputs, files  writing both files of a grade, atomically
"""
