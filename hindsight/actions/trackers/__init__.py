"""Issue-tracker sync: action items pushed to GitHub Issues and Jira, and pulled back."""
