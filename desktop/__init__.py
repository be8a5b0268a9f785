"""ScriptsManager desktop shell (pywebview)."""
