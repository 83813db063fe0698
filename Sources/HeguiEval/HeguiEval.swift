// HeguiEval runs the model self-evaluation against the TC260-003 / GB/T 45654 banks and thresholds
// (TC-8, TC-9). Its contents arrive with the evaluation issue; until then the module is empty.
