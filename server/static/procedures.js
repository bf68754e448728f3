// Procedure editor: choosing "required depending on the case" opens the piece's conditions.
// The page works without it (the conditions are a <details> anyone can open).
for (const select of document.querySelectorAll('select[name$="-rule"]')) {
  select.addEventListener('change', () => {
    const conditions = select.closest('.piece-edit')?.querySelector('details.conditions');
    // Focus stays on the select: arrow keys change it, and must not be taken elsewhere.
    if (conditions && select.value === 'conditional') conditions.open = true;
  });
}
