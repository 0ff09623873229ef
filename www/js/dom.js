// Small DOM helpers. Text is only ever set as text, never as HTML.

export const $ = (sel) => document.querySelector(sel);

export function button(text, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.addEventListener('click', onClick);
  return b;
}
