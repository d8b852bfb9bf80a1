// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// React 19 needs MessageChannel and jsdom lacks it. A timer-based stub leaves no open handles
// (Node's worker_threads MessageChannel keeps jest alive).
if (typeof global.MessageChannel === 'undefined') {
  global.MessageChannel = class MessageChannel {
    constructor() {
      const port = () => ({
        onmessage: null,
        postMessage: undefined,
        close() {},
        start() {},
        addEventListener() {},
        removeEventListener() {},
      });
      this.port1 = port();
      this.port2 = port();
      this.port1.postMessage = (data) => setTimeout(() => this.port2.onmessage && this.port2.onmessage({ data }), 0);
      this.port2.postMessage = (data) => setTimeout(() => this.port1.onmessage && this.port1.onmessage({ data }), 0);
    }
  };
}

// Combobox measures option text on a canvas; jsdom has no canvas and the scaffold's stub returns undefined.
HTMLCanvasElement.prototype.getContext = function getContext() {
  return { font: '', measureText: (text) => ({ width: String(text).length * 7 }) };
};

// Floating UI (Combobox, Tooltip) observes element sizes.
if (typeof global.ResizeObserver === 'undefined') {
  global.ResizeObserver = class ResizeObserver {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}

// Combobox's option list watches visibility.
if (typeof global.IntersectionObserver === 'undefined') {
  global.IntersectionObserver = class IntersectionObserver {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  };
}

// TanStack Query batches its notifications with setTimeout(0), which fake timers hold back until advanced; tests settle
// with `await act(async () => {})`, so notifications run as microtasks instead (TanStack's documented option).
const { notifyManager } = require('@tanstack/react-query');
notifyManager.setScheduler((cb) => queueMicrotask(cb));
