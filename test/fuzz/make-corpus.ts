/**
 * Writes the generated part of the fuzz corpus (run once; the output is committed):
 * CoT events from our own builders and the adversarial shapes at seed size, their TAK protocol v1
 * payloads, and multipart bodies. The MIT-licensed captures in corpus/cot and the label fixtures in
 * corpus/label were copied as they are.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCotXml, serializeCotXml } from '../../src/cot/xml.js';
import { encodeTakMessage } from '../../src/cot/proto.js';
import { SHAPES, typical } from '../support/hostile-xml.js';
import { sa } from '../support/tak-client.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'corpus');
const put = (sub: string, name: string, data: string | Uint8Array): void => writeFileSync(join(dir, sub, name), data);

put('cot', 'own-sa.xml', serializeCotXml(sa('SEED-1', 'SEED', { detailXml: '<contact callsign="SEED" endpoint="*:-1:stcp"/><__group name="Cyan" role="Team Member"/><track course="90" speed="1.5"/><remarks>日本語 &amp; more</remarks>' })));
put('cot', 'own-typical-2k.xml', typical(2048));
for (const [name, make] of Object.entries(SHAPES)) put('cot', `shape-${name.replace(/\W+/g, '-')}.xml`, make(256));

for (const f of readdirSync(join(dir, 'cot')).sort()) {
  try {
    put('proto', f.replace(/\.xml$/, '.bin'), encodeTakMessage(parseCotXml(readFileSync(join(dir, 'cot', f)))));
  } catch {
    // refused events have no payload form
  }
}

const part = (name: string, filename: string | undefined, body: string): string =>
  `--BND\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\nContent-Type: application/octet-stream\r\n\r\n${body}\r\n`;
put('multipart', 'one-file.txt', `preamble\r\n${part('assetfile', 'a.zip', 'PK\u0003\u0004 bytes \r\n--BN not a boundary')}--BND--\r\n`);
put('multipart', 'fields-then-file.txt', `${part('name', undefined, 'x')}${part('assetfile', 'b.bin', 'data')}${part('after', undefined, 'y')}--BND--\r\n`);
put('multipart', 'no-headers-part.txt', `--BND\r\n\r\nbare\r\n${part('file', 'c', 'z')}--BND--\r\n`);
