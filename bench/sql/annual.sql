-- EVERY figure of /api/v1/stats/annual that comes from the database, for a year or a session,
-- as of the end of a day, in ONE hand-written statement: the reference the benchmark times the
-- API against (bench/reference.py turns its rows into the API's figures and compares them all).
-- Written from the definitions in proposals/stats/figures.py's docstring, not from the app's
-- SQL. Everything derived in Python from other figures (rates, headline, labels) is left out.
--
-- Parameters: :as_of_end (UTC end of the as-of day), :as_of (the as-of date), :year_end (UTC
-- end of 31 December of the period's year), and for a year :year_start / for a session
-- :session_id. Placeholders filled per dialect by bench/reference.py:
--   {period}            p.submitted_at in the year, or p.session_id = :session_id
--   {due_end}           the UTC end of the local day replies.due_on (SQLite datetime(…, '+16
--                       hours'), PostgreSQL … + INTERVAL '16 hours')
--   {local_month(x)}    'YYYY-MM' of the UTC moment x in Asia/Shanghai (UTC+8, no DST)
--   {fence}             an OFFSET 0 that keeps a subquery from being merged into its query
--                       (each lookup in it made once per row)
--
-- Rows: a UNION ALL of tagged rows (tag, k, t1…t5, n1…n14); see bench/reference.py.
--
-- Plan (both databases, checked with EXPLAIN / EXPLAIN QUERY PLAN at 100,000 proposals):
-- p: the period's proposals from the submitted_at index (or the session's), each one's latest
--    review decision by the date ONE index lookup on review_decisions.proposal_id (a scalar
--    subquery, LIMIT 1), the history read only for withdrawn proposals, the first decision
--    only for those without one by the date; materialised once (some 10,000 rows).
-- ar: the filed ones' assignments (index on proposal_id) x their delivered replies (index on
--    assignment_id) in one nested-loop join, materialised (the items and the months read it).
-- ia/il/i: grouped per item by its id alone; then per item a primary-key fetch of its latest
--    reply and an index lookup of the primary rating of each round's reply (only where there
--    is one); the extensions (unique per assignment and round) joined.
-- Every aggregate then reads these small sets; the proposers and the cosigners are read only
-- for the proposal counts by sector / organisation type and for participation.
WITH p AS MATERIALIZED (  -- the period's submitted proposals with their bucket as of the date
  SELECT p.id, p.proposer_id, p.kind, p.category_id, p.submitted_at, p.number, p.title,
         p.is_key, p.supervisor_id, p.closed_at, p.not_filed_disposition,
         CASE
           -- (scalar lookups with LIMIT 1, not EXISTS: PostgreSQL would hash all the history)
           WHEN p.state = 'withdrawn' AND (
             SELECT h.id FROM history h WHERE h.proposal_id = p.id AND h.action = 'withdraw'
               AND h.created_at < :as_of_end LIMIT 1) IS NOT NULL THEN 'withdrawn'
           ELSE COALESCE(
             -- the latest decision by the date
             (SELECT CASE d.decision WHEN 'file' THEN 'filed' WHEN 'not_file' THEN 'not_filed'
                                     WHEN 'merge' THEN 'merged'
                                     -- returned after its last submission: back with its
                                     -- proposer, a draft (not counted); before it:
                                     -- resubmitted, pending review
                                     ELSE CASE WHEN d.created_at >= p.submitted_at
                                               THEN 'draft' ELSE 'pending' END END
              FROM review_decisions d WHERE d.proposal_id = p.id AND d.created_at < :as_of_end
              ORDER BY d.id DESC LIMIT 1),
             -- none by then: pending review, unless it never had one (imported rows carry
             -- their outcome in their state)
             CASE WHEN (SELECT e.id FROM review_decisions e WHERE e.proposal_id = p.id
                        LIMIT 1) IS NOT NULL THEN 'pending'
                  WHEN p.state IN ('filed', 'assigned', 'closed') AND p.filed_at < :as_of_end
                    THEN 'filed'
                  WHEN p.state IN ('not_filed', 'merged', 'draft') THEN p.state
                  ELSE 'pending' END)
         END AS bucket
  FROM proposals p
  WHERE {period} AND p.submitted_at < :as_of_end
),
ar AS MATERIALIZED (  -- the live unit-items of the filed proposals x their delivered replies
  SELECT a.id, a.proposal_id, a.department_id, a.role, a.round AS item_round, a.reply_due,
         a.accepted_at, p.is_key, r.id AS reply_id, r.round, r.delivered_at, r.due_on
  FROM p
  JOIN assignments a ON a.proposal_id = p.id
  LEFT JOIN replies r ON r.assignment_id = a.id AND r.delivered_at IS NOT NULL
  WHERE p.bucket = 'filed' AND a.assigned_at < :as_of_end
    -- ended by an approved reassignment by the date: its successor counts instead
    AND NOT (a.state = 'reassigned' AND COALESCE(a.closed_at, a.assigned_at) < :as_of_end)
),
ia AS (  -- per item: its replies by the date (the item's own columns are one per group)
  SELECT id, MAX(proposal_id) AS proposal_id, MAX(department_id) AS department_id,
         MAX(role) AS role, MAX(item_round) AS item_round, MAX(reply_due) AS reply_due,
         MAX(accepted_at) AS accepted_at, MAX(CASE WHEN is_key THEN 1 ELSE 0 END) AS is_key,
         SUM(CASE WHEN delivered_at < :as_of_end THEN 1 ELSE 0 END) AS delivered,
         SUM(CASE WHEN delivered_at < :as_of_end AND delivered_at < {due_end}
                  THEN 1 ELSE 0 END) AS on_time,
         SUM(CASE WHEN delivered_at < :as_of_end AND round = 2 THEN 1 ELSE 0 END)
           AS delivered_r2,
         SUM(CASE WHEN delivered_at < :as_of_end AND delivered_at < :year_end
                  THEN 1 ELSE 0 END) AS by_year_end,
         MAX(CASE WHEN delivered_at < :as_of_end THEN reply_id END) AS last_id,
         MAX(CASE WHEN delivered_at < :as_of_end AND round = 1 THEN reply_id END) AS r1_id,
         MAX(CASE WHEN delivered_at < :as_of_end AND round = 2 THEN reply_id END) AS r2_id,
         -- the first round's deadline (extension included) once the item is in its second
         MAX(CASE WHEN round = 1 THEN due_on END) AS due_on_r1
  FROM ar
  GROUP BY id
),
il AS MATERIALIZED (  -- per item: its latest result and ratings, its approved extensions
  SELECT ia.id, ia.proposal_id, ia.department_id, ia.role, ia.is_key,
         CASE WHEN ia.role = 'co' THEN 0 ELSE 1 END AS required,
         CASE WHEN ia.accepted_at < :as_of_end THEN 1 ELSE 0 END AS accepted,
         ia.delivered, ia.on_time, ia.by_year_end, ia.delivered_r2, ia.item_round,
         ia.reply_due, ia.due_on_r1, lr.result, lr.rating_due,
         CASE WHEN ia.r1_id IS NOT NULL THEN (
           SELECT t.rating FROM ratings t WHERE t.reply_id = ia.r1_id AND t.is_primary
             AND t.created_at < :as_of_end ORDER BY t.id DESC LIMIT 1) END AS rating_r1,
         CASE WHEN ia.r2_id IS NOT NULL THEN (
           SELECT t.rating FROM ratings t WHERE t.reply_id = ia.r2_id AND t.is_primary
             AND t.created_at < :as_of_end ORDER BY t.id DESC LIMIT 1) END AS rating_r2,
         e1.until AS until_r1, e2.until AS until_r2
  FROM ia
  LEFT JOIN replies lr ON lr.id = ia.last_id
  -- one extension per round (unique assignment_id, round)
  LEFT JOIN extension_requests e1 ON e1.assignment_id = ia.id AND e1.round = 1
    AND e1.state = 'approved' AND e1.decided_at < :as_of_end
  LEFT JOIN extension_requests e2 ON e2.assignment_id = ia.id AND e2.round = 2
    AND e2.state = 'approved' AND e2.decided_at < :as_of_end
),
i AS MATERIALIZED (  -- the unit-items as of the date
  SELECT id, proposal_id, department_id, role, is_key, required, accepted, delivered,
         on_time, by_year_end,
         CASE WHEN required = 1 AND delivered > 0 THEN 1 ELSE 0 END AS replied,
         result, COALESCE(rating_r2, rating_r1) AS rating,
         CASE WHEN required = 1 AND delivered > 0 AND rating_r1 IS NULL AND rating_r2 IS NULL
                   AND rating_due >= :as_of THEN 1 ELSE 0 END AS awaiting_rating,
         CASE WHEN until_r1 IS NOT NULL OR until_r2 IS NOT NULL THEN 1 ELSE 0 END AS extended,
         CASE WHEN required = 0 THEN 0
              -- first round: no reply by the date, its deadline then passed
              WHEN delivered = 0 AND COALESCE(until_r1, CASE WHEN item_round = 2
                   THEN due_on_r1 ELSE reply_due END) < :as_of THEN 1
              -- second round (the first reply rated unsatisfied by the date): none yet
              WHEN rating_r1 = 'unsatisfied' AND delivered_r2 = 0
                   AND COALESCE(until_r2, reply_due) < :as_of THEN 1
              ELSE 0 END AS overdue
  FROM il
)
SELECT 'intake' AS tag, CAST(NULL AS INTEGER) AS k, bucket AS t1, disposition AS t2,
       kind AS t3, org_type AS t4,
       CAST(NULL AS VARCHAR) AS t5, COUNT(*) AS n1, CAST(NULL AS INTEGER) AS n2,
       CAST(NULL AS INTEGER) AS n3, CAST(NULL AS INTEGER) AS n4, CAST(NULL AS INTEGER) AS n5,
       CAST(NULL AS INTEGER) AS n6, CAST(NULL AS INTEGER) AS n7, CAST(NULL AS INTEGER) AS n8,
       CAST(NULL AS INTEGER) AS n9, CAST(NULL AS INTEGER) AS n10, CAST(NULL AS INTEGER) AS n11,
       CAST(NULL AS INTEGER) AS n12, CAST(NULL AS INTEGER) AS n13, CAST(NULL AS INTEGER) AS n14
FROM (SELECT bucket, kind,
             -- a proposal not filed: the disposition of its latest decision by the date
             CASE WHEN bucket = 'not_filed' THEN COALESCE(
               (SELECT d.disposition FROM review_decisions d WHERE d.proposal_id = p.id
                  AND d.created_at < :as_of_end ORDER BY d.id DESC LIMIT 1),
               not_filed_disposition, 'none') END AS disposition,
             -- the organisation of a collective proposal's proposer (a lookup only for those)
             CASE WHEN kind = 'collective' THEN (SELECT u.org_type FROM users u
                                                 WHERE u.id = p.proposer_id) END AS org_type
      FROM p WHERE bucket <> 'draft' {fence}) x
GROUP BY bucket, disposition, kind, org_type
UNION ALL
SELECT 'received_month', NULL, {local_month(submitted_at)}, NULL, NULL, NULL, NULL, COUNT(*),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM p WHERE bucket <> 'draft' GROUP BY {local_month(submitted_at)}
UNION ALL
SELECT 'reply_month', NULL, {local_month(delivered_at)}, NULL, NULL, NULL, NULL, COUNT(*),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM ar WHERE delivered_at < :as_of_end GROUP BY {local_month(delivered_at)}
UNION ALL
SELECT 'category', c.id, c.code, c.name, NULL, NULL, NULL,
       CASE WHEN c.active THEN 1 ELSE 0 END, COALESCE(n.received, 0), COALESCE(n.filed, 0),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM categories c
LEFT JOIN (SELECT category_id, COUNT(*) AS received,
                  SUM(CASE WHEN bucket = 'filed' THEN 1 ELSE 0 END) AS filed
           FROM p WHERE bucket <> 'draft' GROUP BY category_id) n ON n.category_id = c.id
UNION ALL
SELECT 'sector', NULL, u.sector, NULL, NULL, NULL, NULL, SUM(n.received),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM (SELECT proposer_id, COUNT(*) AS received FROM p WHERE bucket <> 'draft'
      GROUP BY proposer_id) n
JOIN users u ON u.id = n.proposer_id
GROUP BY u.sector
UNION ALL
SELECT 'participation', NULL, NULL, NULL, NULL, NULL, NULL,
       (SELECT COUNT(*) FROM users u
        WHERE u.role = 'member' AND u.org_type IS NULL AND u.active
          AND u.id IN (SELECT proposer_id FROM p WHERE bucket <> 'draft'
                       UNION
                       SELECT c.user_id FROM cosigners c JOIN p ON p.id = c.proposal_id
                       WHERE p.bucket <> 'draft' AND c.state = 'accepted'
                         AND c.responded_at < :as_of_end)),
       (SELECT COUNT(*) FROM users u
        WHERE u.role = 'member' AND u.org_type IS NULL AND u.active),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
UNION ALL
SELECT 'unit', g.department_id, d.code, d.name, g.result, NULL, NULL,
       g.assigned, g.co, g.required, g.accepted, g.replied, g.replies, g.on_time, g.overdue,
       g.extended, g.unrated, g.awaiting_rating, g.satisfied, g.basically_satisfied,
       g.unsatisfied
FROM (SELECT department_id, CASE WHEN replied = 1 THEN result END AS result,
             COUNT(*) AS assigned,
             SUM(1 - required) AS co,
             SUM(required) AS required,
             SUM(accepted) AS accepted,
             SUM(replied) AS replied,
             SUM(delivered) AS replies,
             SUM(on_time) AS on_time,
             SUM(overdue) AS overdue,
             SUM(extended) AS extended,
             SUM(CASE WHEN replied = 1 AND rating IS NULL THEN 1 ELSE 0 END) AS unrated,
             SUM(awaiting_rating) AS awaiting_rating,
             SUM(CASE WHEN replied = 1 AND rating = 'satisfied' THEN 1 ELSE 0 END) AS satisfied,
             SUM(CASE WHEN replied = 1 AND rating = 'basically_satisfied' THEN 1 ELSE 0 END)
               AS basically_satisfied,
             SUM(CASE WHEN replied = 1 AND rating = 'unsatisfied' THEN 1 ELSE 0 END)
               AS unsatisfied
      FROM i GROUP BY department_id, CASE WHEN replied = 1 THEN result END) g
JOIN departments d ON d.id = g.department_id
UNION ALL
-- per unit, its replied items each of whose replies by the date was on time (items, not letters)
SELECT 'unit_on_time', department_id, NULL, NULL, NULL, NULL, NULL,
       SUM(CASE WHEN replied = 1 AND on_time = delivered THEN 1 ELSE 0 END),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM i GROUP BY department_id
UNION ALL
SELECT 'replied', NULL, NULL, NULL, NULL, NULL, NULL,
       COALESCE(SUM(CASE WHEN owed > 0 AND replied = owed THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN owed > 0 AND by_year_end = owed THEN 1 ELSE 0 END), 0),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM (SELECT proposal_id, SUM(required) AS owed, SUM(replied) AS replied,
             SUM(CASE WHEN required = 1 AND by_year_end > 0 THEN 1 ELSE 0 END) AS by_year_end
      FROM i GROUP BY proposal_id) pp
UNION ALL
SELECT 'key', p.id, p.title, p.bucket, s.name, NULL, NULL, p.number,
       CASE WHEN p.closed_at < :as_of_end THEN 1 ELSE 0 END,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM p LEFT JOIN users s ON s.id = p.supervisor_id
WHERE p.is_key AND p.bucket <> 'draft'
UNION ALL
SELECT 'key_item', i.proposal_id, i.role, i.rating, i.result, d.code, d.name, i.id,
       i.required, i.replied, i.overdue,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM i JOIN departments d ON d.id = i.department_id
WHERE i.is_key = 1
