import type { Messages } from './en.ts';

/** The hosted pages in Spanish (`es`). */
export const es: Messages = {
  close: 'Ya puedes cerrar esta pestaña.',
  backTo: (app) => `Volver a ${app}`,
  details: 'Detalles:',

  connectTitle: (toolkit) => `Conectar ${toolkit}`,
  wantsToConnect: (app, toolkit) => `${app} quiere conectar tu cuenta de ${toolkit}`,
  forUser: 'Para el usuario',
  notYou: '. Si no eres tú, cierra esta página.',
  introCredentials: (toolkit) =>
    `Introduce tus credenciales de ${toolkit}. Se guardan cifradas y solo se usan para las solicitudes que pidas a tu asistente.`,
  introWorkspace: (toolkit) => `Indica qué espacio de trabajo de ${toolkit} usar y después inicia sesión allí.`,
  introSignIn: (toolkit) => `Continúa para iniciar sesión en ${toolkit}. Volverás aquí al terminar.`,
  continue: 'Continuar',
  connect: 'Conectar',
  required: 'obligatorio',

  connected: (toolkit) => `${toolkit} está conectado`,
  connectedBody: 'Tu asistente ya puede usarlo: vuelve al chat para continuar.',
  notConnected: (toolkit) => `${toolkit} no se ha conectado`,
  denied: (toolkit) =>
    `No se permitió el acceso en ${toolkit}, así que no se ha conectado nada. Si fue un error, pide a tu asistente un enlace nuevo.`,
  providerError: (toolkit) =>
    `${toolkit} no pudo completar el inicio de sesión, así que no se ha conectado nada. Inténtalo más tarde con un enlace nuevo de tu asistente.`,
  notConfiguredTitle: 'Todavía no disponible',
  notConfigured: (app, toolkit) =>
    `La conexión con ${toolkit} aún no está configurada en este servidor. No se ha conectado nada. Avisa a los responsables de ${app}.`,
  signInNotStartedTitle: 'No se pudo iniciar sesión',
  signInNotStarted: (toolkit) =>
    `${toolkit} no respondió como se esperaba, así que no se pudo iniciar sesión. Inténtalo de nuevo en un momento.`,

  linkUnknownTitle: 'Enlace no encontrado',
  linkUnknown: 'Este enlace de conexión no existe. Pide uno nuevo a tu asistente.',
  linkExpiredTitle: 'Enlace caducado',
  linkExpired: 'Este enlace de conexión ha caducado (los enlaces duran 10 minutos). Pide uno nuevo a tu asistente.',
  linkUsedTitle: 'Enlace ya utilizado',
  linkUsed: 'Este enlace de conexión ya se utilizó. Pide uno nuevo a tu asistente si todavía necesitas conectar.',
  linkNotPendingTitle: 'Enlace no válido',
  linkNotPending: 'Esta conexión ya no está pendiente. Pide un enlace nuevo a tu asistente.',
  unknownSignInTitle: 'Inicio de sesión desconocido',
  unknownSignIn: 'Esta respuesta de inicio de sesión no corresponde a ninguna conexión pendiente. Empieza de nuevo con un enlace nuevo.',
  usedSignInTitle: 'Inicio de sesión ya completado',
  usedSignIn: 'Esta respuesta de inicio de sesión ya se utilizó. Empieza de nuevo con un enlace nuevo si lo necesitas.',
  signInExpired: 'El enlace de conexión caducó antes de terminar el inicio de sesión. Pide uno nuevo a tu asistente.',
  otherBrowserTitle: 'Otro navegador',
  otherBrowser: 'Este inicio de sesión empezó en otro navegador. Abre de nuevo el enlace de conexión en este.',

  formExpiredTitle: 'Formulario caducado',
  formExpired: 'No se pudo verificar este formulario. Recarga la página e inténtalo de nuevo.',
  formUnreadableTitle: 'No se pudo leer el formulario',
  formUnreadable: 'Lo enviado no es un formulario que esta página acepte. Vuelve atrás e inténtalo de nuevo.',
  formTooLargeTitle: 'Formulario demasiado grande',
  formTooLarge: 'Lo enviado supera el tamaño que acepta esta página. Vuelve atrás e inténtalo de nuevo.',

  approveTitle: (tool) => `¿Permitir ${tool}?`,
  approveIntro: 'Tu asistente quiere ejecutar una herramienta. No se ejecuta nada sin tu aprobación.',
  tool: 'Herramienta',
  service: 'Servicio',
  user: 'Usuario',
  withArguments: 'Con:',
  forSession: (tool) => `Si aceptas, podrá usar ${tool} durante el resto de esta conversación.`,
  once: 'Si aceptas, se ejecuta esta llamada una sola vez.',
  approve: 'Aprobar',
  refuse: 'Rechazar',
  approved: 'Aprobado',
  alreadyApproved: 'Ya aprobado',
  approvedBody: 'Vuelve al chat: tu asistente ya puede ejecutarlo.',
  refused: 'Rechazado',
  alreadyRefused: 'Ya rechazado',
  refusedBody: 'Tu asistente no lo ejecutará.',
  approvalUnknownTitle: 'Aprobación no encontrada',
  approvalUnknown: 'Este enlace de aprobación no existe. Vuelve a pedírselo a tu asistente.',
  approvalExpiredTitle: 'Aprobación caducada',
  approvalExpired: 'Esta aprobación esperó más de 10 minutos. Vuelve a pedírselo a tu asistente.',
  noAnswerTitle: 'Sin respuesta',
  noAnswer: 'Elige Aprobar o Rechazar.',

  consentTitle: (client) => `¿Conectar ${client}?`,
  consentAsks: (client, app) =>
    `${client} pide usar esta sesión de ${app}: sus herramientas, como el usuario de la sesión, hasta que lo revoques.`,
  answerGoesTo: 'Tu respuesta se envía a:',
  opensApp: (client) =>
    `Esta dirección abre una aplicación en tu ordenador, no una página web. Permítelo solo si estás conectando ${client} desde una aplicación instalada aquí.`,
  verifierHint: (app) => `Continuar te lleva a ${app} para confirmar que eres el usuario de esta sesión.`,
  sessionToken: 'Token de sesión',
  sessionTokenHint: (app) =>
    `El token que ${app} te dio para esta sesión (lks_…, su x-session-token). Solo quien lo tiene puede conectar un cliente.`,
  allow: 'Permitir',
  deny: 'Denegar',
  cannotContinue: 'Esta conexión no puede continuar',
  wrongToken: 'Ese no es el token de esta sesión.',
  requestRefused:
    'El cliente que te trajo aquí hizo una solicitud que este servidor no puede aceptar. Empieza de nuevo desde tu cliente MCP; si vuelve a ocurrir, envía los detalles de abajo a su desarrollador.',
  requestGone: 'Esta solicitud ha caducado o ya fue respondida. Empieza de nuevo desde tu cliente MCP.',
  requestAnswered: 'Esta solicitud ya fue respondida.',
  consentFormExpired: 'No se pudo verificar este formulario. Empieza de nuevo desde tu cliente MCP.',
  otherBrowserConsentTitle: 'Iniciado en otro navegador',
  otherBrowserConsent:
    'Este inicio de sesión empezó en otro navegador, así que no puede terminar aquí. No se ha conectado nada. Empieza de nuevo desde tu cliente MCP, en este navegador.',
};
