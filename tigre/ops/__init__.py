"""Operations: bounded waits on the database, where server errors go, backup and restore (README, "Operations")."""
