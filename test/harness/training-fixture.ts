/** A training module with a two-question quiz (pass mark 1), registered by the training tests under ids of their own. */
export function phishingModule(moduleId: string, version: string) {
  return {
    moduleId,
    title: 'Spotting phishing',
    version,
    content: { url: 'https://learning.example/phishing' },
    quiz: {
      passMark: 1,
      questions: [
        { id: 'q1', text: 'A mail asks for your password. What do you do?', options: ['Reply', 'Report it'], correct: [1] },
        { id: 'q2', text: 'Which are warning signs?', options: ['Urgency', 'A known sender', 'A mismatched link'], correct: [0, 2] },
      ],
    },
  };
}
