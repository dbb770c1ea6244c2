// The drawing panel: a canvas the user draws a digit on (mouse, pen or
// touch, through pointer events), the 28x28 image the model sees, and the
// ten class probabilities as bars.
import { SIDE, toMnist } from './preprocess.js';

const PAD = 280;
const STROKE = 22;

export class DrawingPad {
  private readonly ctx: CanvasRenderingContext2D;
  private last: { x: number; y: number } | undefined;
  private scheduled = false;

  /** `onChange` gets the 28x28 image after each stroke segment (once per frame), or undefined once cleared. */
  constructor(readonly canvas: HTMLCanvasElement, private readonly onChange: (image: Float32Array | undefined) => void) {
    canvas.width = PAD;
    canvas.height = PAD;
    this.ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    this.clear();
    canvas.addEventListener('pointerdown', (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.last = this.point(e);
      this.segment(this.last, this.last);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.last) return;
      const p = this.point(e);
      this.segment(this.last, p);
      this.last = p;
    });
    const end = () => { this.last = undefined; };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  clear(): void {
    this.ctx.fillStyle = '#000';
    this.ctx.fillRect(0, 0, PAD, PAD);
    this.onChange(undefined);
  }

  /** The current drawing as the model's input, or undefined when empty. */
  image(): Float32Array | undefined {
    const rgba = this.ctx.getImageData(0, 0, PAD, PAD).data;
    const ink = new Float32Array(PAD * PAD);
    for (let i = 0; i < ink.length; i++) ink[i] = rgba[4 * i] / 255;
    return toMnist(ink, PAD, PAD);
  }

  private point(e: PointerEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * PAD, y: ((e.clientY - r.top) / r.height) * PAD };
  }

  private segment(a: { x: number; y: number }, b: { x: number; y: number }): void {
    const c = this.ctx;
    c.strokeStyle = '#fff';
    c.lineWidth = STROKE;
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.beginPath();
    c.moveTo(a.x, a.y);
    c.lineTo(b.x, b.y);
    c.stroke();
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.onChange(this.image());
    });
  }
}

/** Paints a 28x28 image in [0, 1] (white ink on black) onto a canvas of 28x28 pixels. */
export function paintDigit(canvas: HTMLCanvasElement, image: Float32Array | undefined, offset = 0): void {
  canvas.width = SIDE;
  canvas.height = SIDE;
  const ctx = canvas.getContext('2d')!;
  const px = ctx.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const v = image ? Math.round(image[offset + i] * 255) : 0;
    px.data[4 * i] = px.data[4 * i + 1] = px.data[4 * i + 2] = v;
    px.data[4 * i + 3] = 255;
  }
  ctx.putImageData(px, 0, 0);
}

/** Ten labelled bars, the most probable class highlighted. */
export class ProbabilityBars {
  private readonly bars: HTMLElement[] = [];
  private readonly values: HTMLElement[] = [];
  private readonly rows: HTMLElement[] = [];

  constructor(container: HTMLElement) {
    for (let d = 0; d < 10; d++) {
      const row = document.createElement('div');
      row.className = 'prob';
      row.innerHTML = `<span class="prob-digit">${d}</span><span class="prob-track"><span class="prob-bar"></span></span><span class="prob-value"></span>`;
      container.append(row);
      this.rows.push(row);
      this.bars.push(row.querySelector('.prob-bar')!);
      this.values.push(row.querySelector('.prob-value')!);
    }
    this.show(undefined);
  }

  show(probs: Float32Array | undefined): void {
    const best = probs ? probs.indexOf(Math.max(...probs)) : -1;
    for (let d = 0; d < 10; d++) {
      const p = probs ? probs[d] : 0;
      this.bars[d].style.width = `${(p * 100).toFixed(1)}%`;
      this.values[d].textContent = probs ? `${(p * 100).toFixed(1)}%` : '';
      this.rows[d].classList.toggle('best', d === best);
    }
  }
}
