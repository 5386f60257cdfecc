import { parentPort, workerData } from 'node:worker_threads';
import { renderDiagram, type Diagram } from '../../policies/reports/diagram';

/**
 * Diagrams laid out on a worker thread (see layDiagramsAhead in ./report-inputs.ts): the same pure layout
 * as the report's own, posted back as one SVG per diagram in the order given.
 */
if (parentPort !== null) {
  const { diagrams } = workerData as { diagrams: readonly { diagram: Diagram; id: string }[] };
  parentPort.postMessage(diagrams.map(({ diagram, id }) => renderDiagram(diagram, id)));
}
