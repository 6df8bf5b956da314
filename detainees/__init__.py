"""detainees: case files of the people the visitors accompany."""
