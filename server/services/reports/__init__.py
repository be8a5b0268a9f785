"""Reports of runs to hand on: a PDF a colleague or an auditor can read without the app."""
