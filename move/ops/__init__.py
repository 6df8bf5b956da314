"""Operations (issue 14): backups that restore, and telling someone when they stop."""
