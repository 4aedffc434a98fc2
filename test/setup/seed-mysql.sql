-- Test data for the engine tests (run by db-servers.sh as root over the socket).
-- jit_admin can do anything over TCP (FILE included), to prove the engine's session is
-- read-only by itself; jit_reader may only read.
CREATE USER 'jit_admin'@'127.0.0.1' IDENTIFIED BY 'admin-pw';
GRANT ALL PRIVILEGES ON *.* TO 'jit_admin'@'127.0.0.1' WITH GRANT OPTION;
CREATE USER 'jit_reader'@'127.0.0.1' IDENTIFIED BY 'reader-pw';
CREATE DATABASE shop;
GRANT SELECT ON shop.* TO 'jit_reader'@'127.0.0.1';
USE shop;
CREATE TABLE items (
  id int PRIMARY KEY,
  name varchar(100) NOT NULL,
  price decimal(10, 2),
  qty bigint,
  created datetime(6),
  data varbinary(16)
) ENGINE = InnoDB;
INSERT INTO items VALUES
  (1, 'apple', 1.50, 9007199254740993, '2024-01-02 03:04:05', x'00ff10'),
  (2, 'pear', 2.25, 2, '2024-02-03 04:05:06.5', NULL),
  (3, 'plum', 0.10, 3, NULL, NULL);
CREATE TABLE employees (id int PRIMARY KEY, name varchar(100) NOT NULL, email varchar(200)) ENGINE = InnoDB;
INSERT INTO employees VALUES (1, 'Alice', 'alice@example.com'), (2, 'Bob', 'bob@example.com');

-- What an operator typically hands the service: an account that may do anything, everywhere.
-- The service provisions least-privilege identities with it and never runs a statement as it.
CREATE USER 'jit_service'@'127.0.0.1' IDENTIFIED BY 'service-pw';
GRANT ALL PRIVILEGES ON *.* TO 'jit_service'@'127.0.0.1' WITH GRANT OPTION;

-- Another database with a secret: no run on crm may read it.
CREATE DATABASE vault;
CREATE TABLE vault.secrets (id int PRIMARY KEY, secret varchar(100)) ENGINE = InnoDB;
INSERT INTO vault.secrets VALUES (1, 'vault-secret-7f3a');

-- Masking tests (masking-mysql.test.ts): customers.email, card and born are masked.
CREATE DATABASE crm;
CREATE TABLE crm.customers (
  id int PRIMARY KEY,
  name varchar(100) NOT NULL,
  email varchar(200),
  card varchar(30),
  born datetime,
  note text
) ENGINE = InnoDB;
INSERT INTO crm.customers VALUES
  (1, 'Carol', 'carol.secret@example.org', '4111-1111-1111-1111', '1980-05-06 07:08:09', 'vip'),
  (2, 'Dave', 'dave.hidden@example.org', NULL, NULL, NULL),
  (3, 'Émile', 'é@x.fr', '12', '2001-02-03 04:05:06', 'ok');
CREATE TABLE crm.orders (id int PRIMARY KEY, customer_id int) ENGINE = InnoDB;
INSERT INTO crm.orders SELECT seq, 1 + seq % 3 FROM seq_1_to_200;
-- A view of the database itself that reads a masked column.
CREATE VIEW crm.customer_contacts AS SELECT name, email FROM crm.customers;
-- Persistent statistics quote column values (min/max) in mysql.column_stats.
ANALYZE TABLE crm.customers PERSISTENT FOR ALL;
