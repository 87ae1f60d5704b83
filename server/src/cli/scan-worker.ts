// A scan worker thread (dist/scan-worker.js): reads, parses and analyses the files the main thread
// sends, one at a time, and answers with plain findings. No parse tree leaves this thread.
import { parentPort, workerData } from 'node:worker_threads';
import { runTask, type WorkerInit, type WorkerReply, type WorkerTask } from './worker-protocol';

const init = workerData as WorkerInit;
const queue: WorkerTask[] = [];
let scheduled = false;

// One file per turn of the event loop: tree-sitter trees are freed by N-API finalizers, which only
// run when the loop turns, so a synchronous loop over many files would keep every tree alive.
function step(): void {
  scheduled = false;
  const task = queue.shift();
  if (!task) return;
  const reply: WorkerReply = { id: task.id, outcome: runTask(task, init) };
  parentPort!.postMessage(reply);
  schedule();
}

function schedule(): void {
  if (!scheduled && queue.length > 0) {
    scheduled = true;
    setImmediate(step);
  }
}

parentPort!.on('message', (task: WorkerTask) => {
  queue.push(task);
  schedule();
});
