// Rows encoded next to the driver (issue 21): for every engine, the bytes of each text format
// are those the in-process writers make from the same statement's cells, a run's rows parse
// back to the cells, and the row cap applies to encoded batches as to cells.
import assert from 'node:assert/strict';
import { openEncoded, readAllEncoded } from '../../server/engines/cursor.js';
import type { EncodedRows } from '../../server/engines/encoded-rows.js';
import { EXPORT_FORMATS, serialize } from '../../server/export/formats.js';
import { head, isTextFormat, tail } from '../../server/export/row-text.js';
import { NO_MASKING } from '../support/run-scope.js';
import { TARGETS, type EngineTarget } from './targets.js';

const LIMITS = { timeoutMs: 20_000, maxRows: 10_000 };
const SQL = 'SELECT id, name, price, qty, created, data FROM items ORDER BY id';

async function text(chunks: AsyncIterable<string | Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('utf8');
}

for (const { name, create } of TARGETS) {
  describe(`engine: ${name}, rows encoded next to the driver`, function () {
    let t: EngineTarget;
    before(() => (t = create()));
    after(async () => t?.close());

    it('a run\'s rows are the JSON of the cells, cut on row boundaries', async () => {
      const cells = await t.reader.query(t.database, SQL, LIMITS, NO_MASKING);
      const result = await readAllEncoded(openEncoded(t.reader, t.database, SQL, LIMITS, NO_MASKING, { format: 'rows' }));
      assert.equal(result.rowCount, cells.rows.length);
      assert.deepEqual(JSON.parse(`[${Buffer.concat(result.batches.map((b) => b.bytes)).toString('utf8')}]`), cells.rows);
      for (const batch of result.batches) assert.equal(batch.ends.at(-1), batch.bytes.byteLength);
    });

    for (const format of EXPORT_FORMATS.filter(isTextFormat)) {
      it(`a ${format} export is the bytes the in-process writer makes`, async () => {
        const cells = await t.reader.open(t.database, SQL, LIMITS, NO_MASKING);
        const expected = await text(serialize(format, { columns: cells.columns, batches: cells.batches() }));
        await cells.close();
        const cursor = await openEncoded(t.reader, t.database, SQL, LIMITS, NO_MASKING, { format });
        let rows = 0;
        const body = (async function* () {
          yield head(format, cursor.columns);
          for await (const batch of cursor.batches()) {
            rows += batch.ends.length;
            yield batch.bytes;
          }
          yield tail(format, rows);
        })();
        assert.equal(await text(body), expected);
        await cursor.close();
      });
    }

    it('the row cap cuts encoded batches and says rows were left', async () => {
      const cursor = await openEncoded(t.reader, t.database, SQL, { ...LIMITS, maxRows: 2 }, NO_MASKING, { format: 'csv' });
      const batches: EncodedRows[] = [];
      for await (const batch of cursor.batches()) batches.push(batch);
      await cursor.close();
      assert.equal(batches.reduce((n, b) => n + b.ends.length, 0), 2);
      assert.equal(cursor.truncated, true);
    });
  });
}
