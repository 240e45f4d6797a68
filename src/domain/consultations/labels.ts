/** Danish names of the workflow states, for pages, mails and PDFs alike. */
export const STATE_LABELS: Record<string, string> = {
  received: 'Modtaget',
  assigned: 'Fordelt',
  drafting: 'Under udarbejdelse',
  awaiting_approval: 'Afventer godkendelse',
  written_procedure: 'Skriftlig procedure',
  approved: 'Godkendt',
  submitted: 'Indsendt',
  declined: 'Afstået',
  withdrawn: 'Trukket tilbage',
};
