"""figures: arrives with its own issue; installed now so the layout is complete."""
