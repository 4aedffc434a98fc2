-- Test data for the engine tests (run by db-servers.sh as the superuser jit_admin).
-- jit_reader may only read; it may also use the sequence, so that the read-only session,
-- not a missing privilege, is what stops nextval().
CREATE ROLE jit_reader LOGIN PASSWORD 'reader-pw';
CREATE DATABASE shop;
\connect shop
CREATE EXTENSION dblink;
CREATE TABLE items (
  id integer PRIMARY KEY,
  name text NOT NULL,
  price numeric(10, 2),
  qty bigint,
  created timestamp,
  data bytea
);
INSERT INTO items VALUES
  (1, 'apple', 1.50, 9007199254740993, '2024-01-02 03:04:05', '\x00ff10'),
  (2, 'pear', 2.25, 2, '2024-02-03 04:05:06.5', NULL),
  (3, 'plum', 0.10, 3, NULL, NULL);
CREATE TABLE employees (id integer PRIMARY KEY, name text NOT NULL, email text);
INSERT INTO employees VALUES (1, 'Alice', 'alice@example.com'), (2, 'Bob', 'bob@example.com');
CREATE SEQUENCE counter;
GRANT USAGE ON SCHEMA public TO jit_reader;
GRANT SELECT ON items, employees TO jit_reader;
GRANT USAGE ON SEQUENCE counter TO jit_reader;
-- The same data where backslashes escape in plain string literals, for the string-escape bypass.
\connect postgres
CREATE DATABASE shop_legacy TEMPLATE shop;
ALTER DATABASE shop_legacy SET standard_conforming_strings = off;
