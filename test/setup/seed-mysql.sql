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
