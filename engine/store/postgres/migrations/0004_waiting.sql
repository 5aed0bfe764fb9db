-- Parked executions: status 'waiting' until wake_at (a flow.wait card, a
-- retry's long backoff), when a claim takes them again, on their own small
-- index in wake order.
ALTER TABLE executions ADD COLUMN wake_at timestamptz;
CREATE INDEX executions_waiting ON executions (wake_at, id) WHERE status = 'waiting';
