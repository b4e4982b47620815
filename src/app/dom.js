// The app's few JavaScript helpers: each does in one call what would otherwise cross from wasm to
// the DOM once per element. Bound in src/app/dom.rs (a module, not eval: a strict CSP allows it).

// classNames: the ten class names separated by newlines (label k is shown as name k);
// noun: what an image is called in the cell's title ("Digit", "Item").
export function update_cells(grid, indices, labels, hrefPrefix, classNames, noun) {
  const names = classNames.split('\n');
  const cells = grid.getElementsByClassName('digit-cell');
  while (cells.length > indices.length) cells[cells.length - 1].remove();
  while (cells.length < indices.length) {
    const cell = document.createElement('a');
    cell.className = 'digit-cell';
    cell.setAttribute('data-testid', 'digit-cell');
    const label = document.createElement('span');
    label.className = 'cell-label';
    cell.appendChild(label);
    grid.appendChild(cell);
  }
  for (let k = 0; k < indices.length; k++) {
    const cell = cells[k];
    const index = String(indices[k]);
    const label = String(labels[k]);
    cell.setAttribute('data-index', index);
    cell.setAttribute('data-label', label);
    cell.setAttribute('href', hrefPrefix + index);
    const name = names[labels[k]] || label;
    cell.setAttribute('title', noun + ' ' + index + ': ' + (name === label ? 'a ' : '') + name);
    cell.firstChild.textContent = name;
    // A name (not the label's number) gets the one-line style of style/main.css's .named.
    cell.firstChild.className = name === label ? 'cell-label' : 'cell-label named';
  }
}


export function set_fills(els, colours, changed) {
  for (const j of changed) {
    const e = els[j];
    if (e) e.setAttribute('fill', colours.substr(j * 7, 7));
  }
}
