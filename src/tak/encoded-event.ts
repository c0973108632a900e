import type { CotEvent } from '../cot/model.js';
import { serializeCotXml } from '../cot/xml.js';
import { encodeTakMessage } from '../cot/proto.js';
import { frameProto } from '../cot/proto-framer.js';
import { stripMarti } from './routing.js';

/**
 * One event, encoded lazily at most once per wire format. `<marti>` is resolved by the server and
 * removed before delivery; the 4774 label element travels unchanged.
 */
export class EncodedEvent {
  private xmlBytes: Buffer | undefined;
  private protoBytes: Buffer | undefined;
  private readonly outbound: CotEvent;

  constructor(ev: CotEvent) {
    const detailXml = stripMarti(ev.detailXml);
    this.outbound = detailXml === ev.detailXml ? ev : { ...ev, detailXml };
  }

  xml(): Buffer {
    return (this.xmlBytes ??= Buffer.from(serializeCotXml(this.outbound), 'utf8'));
  }

  proto(): Buffer {
    return (this.protoBytes ??= Buffer.from(frameProto(encodeTakMessage(this.outbound))));
  }
}
