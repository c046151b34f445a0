// The pack's readable report (pdfkit): the scope, the anchor, and per framework and control its live
// status at generation (controls/status.json) with the reasons, and the events that evidence it.
import type PDFKitDocument from 'pdfkit';
import { onFirstUse } from '../lazy.js';
import { type PackControlStatus, reasonsOf } from './control-status.js';
import { PACK_FILES, type PackManifest } from './pack-format.js';

/** Reasons shown per control; the rest are in controls/status.json (1,000 systems would fill pages). */
const REASONS_SHOWN = 10;

const pdfkit = onFirstUse<typeof PDFKitDocument>('pdfkit');

const COLOURS: Record<string, string> = { satisfied: '#060', partly: '#a60', not_satisfied: '#a00', not_applicable: '#555' };

export function reportPdf(manifest: Omit<PackManifest, 'files'>, status: PackControlStatus): Promise<Buffer> {
  const PDFDocument = pdfkit();
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Proofline evidence pack ${manifest.packId}` } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.fontSize(18).text('Proofline evidence pack');
  doc.moveDown(0.5).fontSize(10);
  doc.text(
    `Pack ${manifest.packId}, generated ${manifest.generatedAt} for ${manifest.requestedBy.name ?? manifest.requestedBy.id ?? 'Proofline'}`,
  );
  doc.text(`Scope: ${JSON.stringify(manifest.scope)}`);
  doc.text(
    `Anchored to the signed checkpoint of ${manifest.checkpoint.treeSize} events, root ${manifest.checkpoint.rootHash} (${PACK_FILES.checkpoint}).`,
  );
  doc.text(
    `${manifest.events} events in ${PACK_FILES.events}; verify offline with: proofline pack verify FILE.zip --key ${PACK_FILES.publicKey}`,
  );
  doc.text(`Control status evaluated at ${status.evaluatedAt} (${PACK_FILES.controls}).`);
  for (const framework of status.frameworks) {
    doc.moveDown().fontSize(14).text(framework.framework);
    const summary = Object.entries(framework.summary)
      .map(([state, n]) => `${n} ${state.replace('_', ' ')}`)
      .join(', ');
    doc.fontSize(9).text(`${framework.systemId ? `System ${framework.systemId}` : 'Organisation'}: ${summary}`);
    doc.moveDown(0.5);
    for (const item of framework.items) {
      doc.fontSize(11).text(`${item.controlId}  ${item.title}`, { continued: false });
      const evidence = (status.evidenceByMapping[item.controlId] ?? []).map((e) => `${e.events} x ${e.eventType}`).join(', ');
      doc
        .fontSize(9)
        .fillColor(COLOURS[item.status] ?? 'black')
        .text(`Status: ${item.status.replace('_', ' ')} (${item.basis})${item.since ? ` since ${item.since}` : ''}`)
        .fillColor('black');
      const reasons = reasonsOf(item);
      for (const reason of reasons.slice(0, REASONS_SHOWN)) doc.text(`- ${reason}`);
      if (reasons.length > REASONS_SHOWN) doc.text(`- and ${reasons.length - REASONS_SHOWN} more (${PACK_FILES.controls})`);
      if (evidence) doc.text(`Evidenced in the ledger by ${evidence} (${PACK_FILES.events})`);
      doc.moveDown(0.3);
    }
  }
  doc.end();
  return done;
}
