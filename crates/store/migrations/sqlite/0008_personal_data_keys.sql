-- Keyed hashes of members' ID numbers and phones, for exact lookup and the uniqueness of ID numbers
-- once those columns hold ciphertext (a data key is configured). NULL while values are plaintext.
ALTER TABLE members ADD COLUMN id_number_hash TEXT;
ALTER TABLE members ADD COLUMN phone_hash TEXT;
CREATE UNIQUE INDEX members_id_number_hash ON members(id_number_hash);
CREATE INDEX members_phone_hash ON members(phone_hash);
