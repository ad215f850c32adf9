"""Files organizers bring and take away: question bank spreadsheets, contest definitions (JSON)."""
