import { XMLParser } from 'fast-xml-parser';

/**
 * The one fast-xml-parser set-up for label and SPIF XML: document order kept, attributes as plain strings
 * (no prefix, no number parsing), the five XML entities only, declarations and processing instructions
 * dropped. Callers choose `trimValues`: a 4774 label trims element text, a SPIF keeps the spaces of
 * qualifiers such as "REL TO " and trims where it reads.
 */
export function orderedXmlParser(trimValues: boolean): XMLParser {
  return new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues,
    processEntities: true,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    commentPropName: false,
  });
}
