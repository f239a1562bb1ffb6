-- The satisfaction survey (issue 12): after a complaint is resolved the
-- reporter is asked once, in their chat, for a score 1–4 (the scale of the
-- national public-service satisfaction survey, SKM) and an optional comment.
-- A row is the question asked (one per complaint: asked once); score,
-- comment and answered_at are set by the first answer. The statistics count
-- the answers by answered_at (docs/statistics.md).
CREATE TABLE satisfaction (
    complaint_id    bigint      PRIMARY KEY REFERENCES complaints (id),
    conversation_id bigint      NOT NULL REFERENCES conversations (id),
    channel         text        NOT NULL,
    asked_at        timestamptz NOT NULL,
    score           smallint    CHECK (score BETWEEN 1 AND 4),
    comment         text        NOT NULL DEFAULT '',
    answered_at     timestamptz,
    CHECK ((score IS NULL) = (answered_at IS NULL))
);
CREATE INDEX satisfaction_asked ON satisfaction (asked_at);
CREATE INDEX satisfaction_answered ON satisfaction (answered_at) WHERE answered_at IS NOT NULL;

-- The ticket whose survey question awaits the reporter's answer in this
-- conversation ('' when none): the dialog reads the next message as the
-- answer if it is one, and lets the question lapse otherwise.
ALTER TABLE conversations ADD COLUMN survey_ticket text NOT NULL DEFAULT '';
