-- Holiday years entered by an admin on the calendar page (/admin/kalender,
-- docs/calendar.md): the year file's text as pasted, checked by the same
-- parser as the holidays folder's files, and read with them at start and on
-- every change. A row replaces the built-in year of the same number; a year
-- the folder holds is refused by the page. days is the number of days off,
-- kept for the page's list.
CREATE TABLE holiday_years (
    year     integer     PRIMARY KEY CHECK (year BETWEEN 1900 AND 9999),
    data     text        NOT NULL,
    days     integer     NOT NULL CHECK (days > 0),
    saved_by text        NOT NULL,
    saved_at timestamptz NOT NULL
);
