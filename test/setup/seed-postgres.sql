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
-- What an operator typically hands the service: the databases' OWNER with CREATEROLE, not a
-- superuser. It owns shop's objects and the masking test database crm, whose objects it
-- creates itself.
\connect postgres
CREATE ROLE jit_owner LOGIN CREATEROLE PASSWORD 'owner-pw';
ALTER DATABASE shop OWNER TO jit_owner;
ALTER DATABASE shop_legacy OWNER TO jit_owner;
CREATE DATABASE crm OWNER jit_owner;
\connect shop
ALTER TABLE items OWNER TO jit_owner;
ALTER TABLE employees OWNER TO jit_owner;
ALTER SEQUENCE counter OWNER TO jit_owner;
\connect crm
SET ROLE jit_owner;
CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, email text, phone text, salary integer, notes jsonb);
INSERT INTO customers VALUES
  (1, 'Alice', 'alice.secret@example.com', '+1-555-0100', 91234, '{"card": "4111-SECRET-1111"}'),
  (2, 'Bob', 'bob.hidden@example.com', NULL, 87654, NULL),
  (3, 'Cy', 'cy@ex.io', '12', NULL, NULL);
CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer REFERENCES customers, item text);
INSERT INTO orders SELECT n, 1 + n % 3, 'item ' || n FROM generate_series(1, 130) AS n;
-- Views an owner made earlier: one over a masked table (runs with the owner's privileges),
-- one over a plain table, one security_invoker view over the masked table, one in two steps.
CREATE VIEW customer_contacts AS SELECT id, email, phone FROM customers;
CREATE VIEW contact_digest AS SELECT id, upper(email) AS shout FROM customer_contacts;
CREATE VIEW order_items AS SELECT id, item FROM orders;
CREATE VIEW invoker_contacts WITH (security_invoker = true) AS SELECT id, email FROM customers;
CREATE MATERIALIZED VIEW customer_stats AS SELECT email, salary FROM customers;
-- An inheritance child of the masked table carries its masked column too.
CREATE TABLE vip_customers (tier text) INHERITS (customers);
INSERT INTO vip_customers VALUES (9, 'Vera', 'vera.vip@example.com', '+1-555-0199', 123456, NULL, 'gold');
-- A second schema, masked by a qualified rule.
CREATE SCHEMA hr;
CREATE TABLE hr.staff (id integer PRIMARY KEY, login text, ssn text);
INSERT INTO hr.staff VALUES (1, 'ann', '078-05-1120'), (2, 'ben', '219-09-9999');
ANALYZE customers;
RESET ROLE;
