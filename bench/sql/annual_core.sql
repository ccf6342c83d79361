-- The CORE figures of /api/v1/stats/annual for one year (buckets, items, replies, on time,
-- results, satisfaction, replied proposals), as of the end of a day, in ONE statement: an
-- informational figure of the benchmark (stats_core_sql_ms); the reference the API is held to
-- is bench/sql/annual.sql, which computes every figure. Parameters: year_start, year_end (UTC
-- bounds of the calendar year in Asia/Shanghai), as_of_end (UTC end of the as-of day).
-- {due_end} is the end of the local day of replies.due_on (dialect-specific:
-- datetime(x, '+16 hours') / x + INTERVAL '16 hours').
WITH received AS MATERIALIZED (
  SELECT p.id,
         CASE
           WHEN p.state = 'withdrawn' AND EXISTS (
             SELECT 1 FROM history h WHERE h.proposal_id = p.id AND h.action = 'withdraw'
               AND h.created_at < :as_of_end) THEN 'withdrawn'
           ELSE COALESCE((SELECT CASE d.decision WHEN 'file' THEN 'filed'
                                   WHEN 'not_file' THEN 'not_filed'
                                   WHEN 'merge' THEN 'merged' ELSE 'pending' END
                          FROM review_decisions d
                          WHERE d.proposal_id = p.id AND d.created_at < :as_of_end
                          ORDER BY d.id DESC LIMIT 1), 'pending')
         END AS bucket
  FROM proposals p
  WHERE p.submitted_at >= :year_start AND p.submitted_at < :year_end
    AND p.submitted_at < :as_of_end
),
items AS (
  SELECT a.id, a.proposal_id, CASE WHEN a.role = 'co' THEN 0 ELSE 1 END AS required,
         (SELECT COUNT(*) FROM replies r WHERE r.assignment_id = a.id
            AND r.delivered_at < :as_of_end) AS delivered,
         (SELECT COUNT(*) FROM replies r WHERE r.assignment_id = a.id
            AND r.delivered_at < :as_of_end AND r.delivered_at < {due_end}) AS on_time,
         (SELECT r.result FROM replies r WHERE r.assignment_id = a.id
            AND r.delivered_at < :as_of_end ORDER BY r.id DESC LIMIT 1) AS result,
         (SELECT t.rating FROM ratings t WHERE t.is_primary AND t.created_at < :as_of_end
            AND t.reply_id = (SELECT MAX(r.id) FROM replies r WHERE r.assignment_id = a.id
                                AND r.delivered_at < :as_of_end)
          ORDER BY t.id DESC LIMIT 1) AS rating
  FROM received p JOIN assignments a ON a.proposal_id = p.id
  WHERE p.bucket = 'filed' AND a.assigned_at < :as_of_end
    AND NOT (a.state = 'reassigned' AND COALESCE(a.closed_at, a.assigned_at) < :as_of_end)
),
per_proposal AS (
  SELECT proposal_id, SUM(required) AS owed,
         SUM(CASE WHEN required = 1 AND delivered > 0 THEN 1 ELSE 0 END) AS replied
  FROM items GROUP BY proposal_id
)
SELECT b.*, i.*,
       (SELECT COUNT(*) FROM per_proposal WHERE owed > 0 AND replied = owed) AS replied_proposals
FROM (SELECT COUNT(*) AS received,
             SUM(CASE WHEN bucket = 'filed' THEN 1 ELSE 0 END) AS filed,
             SUM(CASE WHEN bucket = 'merged' THEN 1 ELSE 0 END) AS merged,
             SUM(CASE WHEN bucket = 'not_filed' THEN 1 ELSE 0 END) AS not_filed,
             SUM(CASE WHEN bucket = 'withdrawn' THEN 1 ELSE 0 END) AS withdrawn,
             SUM(CASE WHEN bucket = 'pending' THEN 1 ELSE 0 END) AS pending_review
      FROM received) b
CROSS JOIN
     (SELECT COUNT(*) AS assignment_items,
             SUM(CASE WHEN required = 1 AND delivered > 0 THEN 1 ELSE 0 END) AS replied_items,
             SUM(delivered) AS replies_delivered,
             SUM(on_time) AS replies_on_time,
             SUM(CASE WHEN required = 1 AND result = 'A' THEN 1 ELSE 0 END) AS result_a,
             SUM(CASE WHEN required = 1 AND result = 'B' THEN 1 ELSE 0 END) AS result_b,
             SUM(CASE WHEN required = 1 AND result = 'C' THEN 1 ELSE 0 END) AS result_c,
             SUM(CASE WHEN required = 1 AND rating = 'satisfied' THEN 1 ELSE 0 END) AS satisfied,
             SUM(CASE WHEN required = 1 AND rating = 'basically_satisfied' THEN 1 ELSE 0 END)
               AS basically_satisfied,
             SUM(CASE WHEN required = 1 AND rating = 'unsatisfied' THEN 1 ELSE 0 END)
               AS unsatisfied
      FROM items) i
