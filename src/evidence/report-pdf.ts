// The pack's readable report (pdfkit): the scope, the anchor, and per control its state with the
// evidence files that support it.
import PDFDocument from 'pdfkit';
import type { ControlStatus } from './control-status.js';
import { PACK_FILES, type PackManifest } from './pack-format.js';

export function reportPdf(manifest: Omit<PackManifest, 'files'>, statuses: ControlStatus[]): Promise<Buffer> {
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
  doc.moveDown();
  for (const status of statuses) {
    doc.fontSize(11).text(`${status.controlId}  ${status.title}`, { continued: false });
    const evidence = status.evidence.map((e) => `${e.events} x ${e.eventType}`).join(', ');
    doc
      .fontSize(9)
      .fillColor(status.state === 'no_evidence' ? '#a00' : '#060')
      .text(`${status.state.replace('_', ' ')}${evidence ? `: ${evidence} (${PACK_FILES.events}, ${PACK_FILES.controls})` : ''}`)
      .fillColor('black');
    doc.moveDown(0.3);
  }
  doc.end();
  return done;
}
