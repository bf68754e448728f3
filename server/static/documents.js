// The deposit page, enhanced: files dropped on a category (or chosen, or photographed) are sent
// at once with a progress bar, one request per file; the splitting zone shows one thumbnail per
// page of a PDF (pdf.js, served from this site) and sends selected pages to categories by
// drag-and-drop or by keyboard. Without this script every form still works as a plain post.
const collection = document.getElementById('collection');
const i18n = JSON.parse(document.getElementById('documents-i18n')?.textContent || '{}');
const live = document.getElementById('deposit-live');

if (collection) {
  collection.classList.add('js');
  setUpDeposits();
  setUpSplit();
}

function announce(text) {
  if (!live) return;
  live.textContent = '';
  setTimeout(() => (live.textContent = text), 50);
}

function categoryOf(element) {
  return element.closest('li.category');
}

function setUpDeposits() {
  collection.addEventListener('change', (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== 'file') return;
    const form = input.closest('form.deposit');
    if (!form || input.files.length === 0) return;
    const files = [...input.files];
    input.value = '';
    void uploadAll(form, files, input.id);
  });

  collection.addEventListener('dragover', (event) => {
    const li = categoryOf(event.target);
    if (!li || !li.querySelector('form.deposit')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = event.dataTransfer.types.includes('application/x-guichet-pages') ? 'move' : 'copy';
    li.classList.add('dragover');
  });
  collection.addEventListener('dragleave', (event) => {
    const li = categoryOf(event.target);
    if (li && !li.contains(event.relatedTarget)) li.classList.remove('dragover');
  });
  collection.addEventListener('drop', (event) => {
    const li = categoryOf(event.target);
    if (!li) return;
    const form = li.querySelector('form.deposit');
    li.classList.remove('dragover');
    if (!form) return;
    event.preventDefault();
    const pages = event.dataTransfer.getData('application/x-guichet-pages');
    if (pages) {
      assignPages(pages.split(',').map(Number), li.dataset.category);
      return;
    }
    const files = [...event.dataTransfer.files];
    if (files.length > 0) void uploadAll(form, files, `f-${li.dataset.category}`);
  });
}

function uploadOne(form, file, onProgress) {
  return new Promise((resolve) => {
    const data = new FormData();
    data.append('_csrf', form.querySelector('input[name="_csrf"]').value);
    data.append('category', form.querySelector('input[name="category"]').value);
    data.append('files', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener('load', () => {
      let body;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = { ok: false, errors: [xhr.status === 403 ? i18n.expired : i18n.failed] };
      }
      resolve(body);
    });
    xhr.addEventListener('error', () => resolve({ ok: false, errors: [i18n.failed] }));
    xhr.send(data);
  });
}

async function uploadAll(form, files, focusId) {
  const status = form.querySelector('.upload-status');
  const errors = [];
  let done = 0;
  let failed = 0;
  status.replaceChildren();
  const bar = document.createElement('progress');
  bar.max = 100;
  bar.value = 0;
  const label = document.createElement('span');
  status.append(bar, label);
  form.classList.add('busy');
  for (const file of files) {
    label.textContent = ` ${i18n.uploading.replace('%s', file.name)}`;
    announce(label.textContent);
    const result = await uploadOne(form, file, (ratio) => {
      bar.value = Math.round(((done + ratio) / files.length) * 100);
    });
    done += 1;
    bar.value = Math.round((done / files.length) * 100);
    if (result.ok) announce(result.message);
    else {
      failed += 1;
      errors.push(...result.errors);
    }
  }
  form.classList.remove('busy');
  if (failed < files.length) await refresh(focusId);
  const target = document.getElementById(focusId)?.closest('li.category')?.querySelector('.upload-status') ?? status;
  if (errors.length > 0) {
    const box = document.createElement('div');
    box.className = 'errors';
    box.setAttribute('role', 'alert');
    const list = document.createElement('ul');
    for (const e of errors) {
      const li = document.createElement('li');
      li.textContent = e;
      list.append(li);
    }
    box.append(list);
    target.replaceChildren(box);
  } else {
    target.replaceChildren(Object.assign(document.createElement('p'), { className: 'ok', textContent: `✓ ${i18n.done}` }));
  }
}

async function refresh(focusId) {
  const response = await fetch(location.pathname, { headers: { accept: 'text/html' }, credentials: 'same-origin' });
  if (!response.ok) return;
  const page = new DOMParser().parseFromString(await response.text(), 'text/html');
  for (const selector of ['ol.categories', '.progress-line']) {
    const fresh = page.querySelector(selector);
    const current = document.querySelector(selector);
    if (fresh && current) current.replaceWith(fresh);
  }
  const again = focusId ? document.getElementById(focusId) : null;
  if (again) again.focus();
}

// ---- Splitting zone ----

let pdfjs;

function setUpSplit() {
  const section = document.getElementById('split');
  const input = document.getElementById('split-file');
  if (!section || !input) return;
  const panel = section.querySelector('.thumbs-panel');
  const list = section.querySelector('.thumbs');

  input.addEventListener('change', () => {
    const file = input.files[0];
    if (file) void showThumbnails(file, panel, list);
  });
  section.addEventListener('dragover', (event) => {
    if (event.dataTransfer.types.includes('Files')) {
      event.preventDefault();
      section.classList.add('dragover');
    }
  });
  section.addEventListener('dragleave', (event) => {
    if (!section.contains(event.relatedTarget)) section.classList.remove('dragover');
  });
  section.addEventListener('drop', (event) => {
    if (!event.dataTransfer.files.length) return;
    event.preventDefault();
    section.classList.remove('dragover');
    const transfer = new DataTransfer();
    transfer.items.add(event.dataTransfer.files[0]);
    input.files = transfer.files;
    input.dispatchEvent(new Event('change', { bubbles: false }));
  });

  list.addEventListener('click', (event) => {
    const thumb = event.target.closest('button.thumb');
    if (!thumb) return;
    thumb.setAttribute('aria-pressed', thumb.getAttribute('aria-pressed') === 'true' ? 'false' : 'true');
  });
  list.addEventListener('dragstart', (event) => {
    const thumb = event.target.closest('button.thumb');
    if (!thumb) return;
    thumb.setAttribute('aria-pressed', 'true');
    const pages = [...list.querySelectorAll('button.thumb[aria-pressed="true"]')].map((b) => b.dataset.page);
    event.dataTransfer.setData('application/x-guichet-pages', pages.join(','));
    event.dataTransfer.effectAllowed = 'move';
  });
  document.getElementById('split-move').addEventListener('click', () => {
    const pages = [...list.querySelectorAll('button.thumb[aria-pressed="true"]')].map((b) => Number(b.dataset.page));
    if (pages.length === 0) return;
    assignPages(pages, document.getElementById('split-target').value);
  });
  section.querySelector('.page-fields').addEventListener('input', () => labelThumbs());
}

function pageFields() {
  return [...document.querySelectorAll('.page-fields input[data-category]')];
}

function parsePages(text) {
  const pages = [];
  for (const part of text.split(/[,;\s]+/).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] ? Number(m[2]) : from;
    for (let p = from; p <= to && p - from < 1000; p++) pages.push(p);
  }
  return pages;
}

function formatPages(pages) {
  const sorted = [...new Set(pages)].sort((a, b) => a - b);
  const parts = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
    i = j;
  }
  return parts.join(', ');
}

function assignPages(pages, categoryId) {
  for (const field of pageFields()) {
    const kept = parsePages(field.value).filter((p) => !pages.includes(p));
    field.value = formatPages(field.dataset.category === categoryId ? [...kept, ...pages] : kept);
  }
  for (const thumb of document.querySelectorAll('button.thumb[aria-pressed="true"]')) thumb.setAttribute('aria-pressed', 'false');
  labelThumbs();
  const target = document.querySelector(`li.category[data-category="${categoryId}"]`);
  announce(pages.map((p) => i18n.assigned.replace('%n', p).replace('%s', target?.dataset.label ?? '')).join(' ; '));
}

function labelThumbs() {
  const owner = new Map();
  for (const field of pageFields()) {
    const label = document.querySelector(`li.category[data-category="${field.dataset.category}"]`)?.dataset.label ?? '';
    for (const p of parsePages(field.value)) owner.set(p, label);
  }
  for (const thumb of document.querySelectorAll('button.thumb')) {
    const page = Number(thumb.dataset.page);
    const where = owner.get(page);
    thumb.querySelector('.assigned').textContent = where ? `→ ${where}` : '';
    thumb.classList.toggle('is-assigned', Boolean(where));
  }
}

async function showThumbnails(file, panel, list) {
  list.replaceChildren(Object.assign(document.createElement('li'), { className: 'loading', textContent: i18n.loading }));
  panel.hidden = false;
  try {
    pdfjs ??= await import('/static/pdfjs/pdf.min.mjs');
    pdfjs.GlobalWorkerOptions.workerSrc = '/static/pdfjs/pdf.worker.min.mjs';
    const doc = await pdfjs.getDocument({ data: new Uint8Array(await file.arrayBuffer()), isEvalSupported: false }).promise;
    list.replaceChildren();
    const count = Math.min(doc.numPages, 500);
    for (let n = 1; n <= count; n++) {
      const li = document.createElement('li');
      const thumb = document.createElement('button');
      thumb.type = 'button';
      thumb.className = 'thumb';
      thumb.draggable = true;
      thumb.dataset.page = String(n);
      thumb.setAttribute('aria-pressed', 'false');
      const img = document.createElement('img');
      img.alt = '';
      const name = Object.assign(document.createElement('span'), { className: 'page-no', textContent: i18n.page.replace('%n', n) });
      const assigned = Object.assign(document.createElement('span'), { className: 'assigned' });
      thumb.append(img, name, assigned);
      li.append(thumb);
      list.append(li);
      const page = await doc.getPage(n);
      const viewport = page.getViewport({ scale: 1 });
      const scale = 140 / viewport.width;
      const scaled = page.getViewport({ scale });
      const canvas = document.createElement('canvas');
      canvas.width = Math.ceil(scaled.width);
      canvas.height = Math.ceil(scaled.height);
      await page.render({ canvasContext: canvas.getContext('2d'), canvas, viewport: scaled }).promise;
      img.src = canvas.toDataURL('image/png');
    }
    labelThumbs();
    list.dataset.ready = 'true';
  } catch {
    // Not readable here (or not a PDF): the page fields still work, the server decides.
    list.replaceChildren(Object.assign(document.createElement('li'), { className: 'loading', textContent: i18n.noThumbs }));
  }
}
