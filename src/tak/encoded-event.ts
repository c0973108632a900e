import type { CotEvent } from '../cot/model.js';
import { serializeCotXml } from '../cot/xml.js';
import { encodeTakMessage } from '../cot/proto.js';
import { frameProto } from '../cot/proto-framer.js';
import { stripMarti } from './routing.js';
import { DELETE, deleteTarget, isSituationalAwareness } from './control.js';

/**
 * One event, encoded lazily at most once per wire format. `<marti>` is resolved by the server and
 * removed before delivery; the 4774 label element travels unchanged.
 */
export class EncodedEvent {
  private xmlBytes: Buffer | undefined;
  private protoBytes: Buffer | undefined;
  private xmlText: string | undefined;
  private readonly outbound: CotEvent;
  /** uid of an SA update (conflatable in a client's backlog); undefined for everything else */
  readonly saUid: string | undefined;

  /** `xml`: `ev` already serialised by serializeCotXml (used when nothing is stripped from it) */
  constructor(ev: CotEvent, xml?: string) {
    const detailXml = stripMarti(ev.detailXml);
    this.outbound = detailXml === ev.detailXml ? ev : { ...ev, detailXml };
    if (xml !== undefined && this.outbound === ev) this.xmlText = xml;
    this.saUid = ev.uid && isSituationalAwareness(ev.type) ? ev.uid : undefined;
  }

  /** The uid a delete removes (only asked for on the backlog path). */
  deletes(): string | undefined {
    return this.outbound.type === DELETE ? deleteTarget(this.outbound.detailXml) : undefined;
  }

  xml(): Buffer {
    return (this.xmlBytes ??= Buffer.from(this.xmlText ?? serializeCotXml(this.outbound), 'utf8'));
  }

  proto(): Buffer {
    return (this.protoBytes ??= Buffer.from(frameProto(encodeTakMessage(this.outbound))));
  }
}
