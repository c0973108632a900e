export const name = 'event originator (write authority)';

// Who created each object; NULL on rows written before (treated as the pre-authority rule).
export const sql = (): string => `
ALTER TABLE event_history ADD COLUMN originator TEXT;
ALTER TABLE event_latest ADD COLUMN originator TEXT;
`;
